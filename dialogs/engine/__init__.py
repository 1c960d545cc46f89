"""The machinery of the client's conversation: events in, outputs out, the state between,
the screens, the walk through a flow (`turn`), and dates and times as people say them."""
