from django.apps import AppConfig


class PatientDataConfig(AppConfig):
    name = "patient_data"
    verbose_name = "Patients' data requests"
