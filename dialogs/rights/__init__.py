"""The client's data rights: what is stored about them, erasure, and a hidden chat."""
