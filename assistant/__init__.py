"""Multimodal customer-service assistant for online stores."""
