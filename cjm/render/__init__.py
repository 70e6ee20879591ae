"""Turning maps into what people read and look at: chat texts, the HTML page, pictures."""
