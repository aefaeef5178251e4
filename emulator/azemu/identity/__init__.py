"""Azure AD endpoints, token issuing and ARM's token checks."""
