"""The client's resources (hulpbronnen): the people and places that can help, and the map."""
