"""The site's own pages: front page, territory pages and peers, canned-query pages, reports, versions, health, crawl."""
