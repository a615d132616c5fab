"""What the store learns from its conversations: outcomes, feedback, clicks, gaps (assistant.analytics.report)."""
