"""The staff portal's pages; views stay thin and read through derms.selectors."""
