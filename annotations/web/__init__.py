"""Server-rendered pages, one module per concept: articles (home, workspace, the annotator's
page), claims (the claim's page, the adjudicator's curation page) and review (queues, agreement).

Access goes through the selectors and services like the API's, and what a reader sees of the
review work through annotations.policy. No page carries an inline script: what the JavaScript
needs travels in a `json_script` data block (see annotations.middleware).
"""
