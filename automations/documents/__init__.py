"""Documents the service sends: French formatting, Word templates, calendar invitations."""
