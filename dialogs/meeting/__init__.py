"""The team strength meeting (teamkrachtbespreking) and the steps it proposes to a client."""
