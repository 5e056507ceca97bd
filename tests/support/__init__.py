"""Helpers shared by test tiers: flows that drive the product the way a user does."""
