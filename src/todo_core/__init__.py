"""What both services share: settings base, data models, database engine, schema, logging."""
