"""``python -m mock_lookoutvision serve ...``: the ``mock-lookoutvision`` command."""

import sys

from .cli import main

sys.exit(main())
