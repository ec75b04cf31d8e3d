"""A sample service, made from scratch, to show and test the whole flow."""
