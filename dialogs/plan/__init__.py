"""The action plan in conversation: goals, dated steps, reminders and how it went."""
