"""The citizen flow: quartiere pages, intervention pages, feeds, the quartiere at a point.

`views.bp` is the blueprint; `service` and `areas` answer without HTTP.
"""
