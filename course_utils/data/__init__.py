"""Data loading plumbing (offline pack and full-profile datasets)."""
