"""Oscar's product form sets, with the stock record form set able to take a POST that
carries no stock record forms (a team member's empty or hand-made POST)."""

from oscar.apps.dashboard.catalogue import formsets as oscar_formsets


class StockRecordFormSet(oscar_formsets.StockRecordFormSet):
    def set_initial_data(self):
        # Oscar presets the first form's team; a POST without management data has none.
        if self.forms:
            super().set_initial_data()
