"""The pytest plugin of mock_lookoutvision, registered through the ``pytest11`` entry point."""
