"""Views: see threads/urls.py for the routes."""
