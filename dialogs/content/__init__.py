"""Content as data: the flows and texts (YAML, validated by pydantic at start-up) and the files
they are read from; the default content ships in the folders next to these modules."""
