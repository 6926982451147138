"""Demo data for a newcomer's first look: an alliance of three work teams."""
