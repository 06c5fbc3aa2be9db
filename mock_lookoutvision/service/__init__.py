"""The service's state and operations, a module per resource; ``models.LookoutVisionBackend``
puts them together for one account and region."""
