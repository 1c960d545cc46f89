"""The counsellor's desk: requests, summaries and the weekly digest, drawn from case files."""
