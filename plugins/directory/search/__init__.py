"""Client-side search: a Whoosh index built at build time, exported to compact shards that the
browser module in static/ queries with the same analyzer and the same BM25F scoring."""
