from django.contrib.admin.widgets import AdminSplitDateTime


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with a name of its own: the
    admin's "Date:" and "Time:" are plain text, which screen readers do not
    announce as the boxes' labels."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = "Date"
        self.widgets[1].attrs["aria-label"] = "Time (UK time)"
