// The only libedit user.
