"""One module per feature; each exports HANDLERS that bot/app.py registers."""
