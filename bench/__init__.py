"""Benchmarks: how fast the bot handles clients, sends reminders and starts, each measured
against a baseline in the same run. `make bench` runs them all; see bench/README.md."""
