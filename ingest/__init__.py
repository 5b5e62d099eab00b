"""Reading mission reports and extracting entities and relations from them."""
