"""The waitlist: buyers who asked to be told when a sold-out product is back ("到货通知我")."""
