"""positioning: products, target audiences and messages ("positioning first").

Public services: ``create_product`` / ``update_product`` / ``delete_product`` and the same for
audiences and messages (``netmark.positioning.services``). A promotion plan refers to them.
Events written: none. KPIs registered: none.
"""
