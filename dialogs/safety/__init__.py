"""Safety first: recognising a crisis in whatever a client writes (the lists live in
`content/safety/`), and answering it before anything else reads the message."""
