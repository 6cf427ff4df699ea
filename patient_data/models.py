from consultations.models import ConsultationRequest


class PatientDataSearch(ConsultationRequest):
    """The page where staff find everything held about one patient, listed
    in the admin index. It holds no rows of its own and no permissions: the
    consultation request permissions govern it."""

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = "patient's data"
        verbose_name_plural = "find a patient's data"
