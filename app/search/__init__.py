"""The citizen search: one box for addresses, places, interventions and quartieri.

`views.bp` is the blueprint (`/api/search`, `/cerca`); `service.search` answers without HTTP.
"""
