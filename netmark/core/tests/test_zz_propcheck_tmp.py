from hypothesis import settings
import netmark.core.tests.test_csvio as t
def test_many():
    settings(max_examples=5000)(t.test_written_cells_read_back_escaped_or_unchanged)()
