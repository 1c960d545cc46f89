"""The client's side of working with a counsellor: invitations, sharing, who looked."""
