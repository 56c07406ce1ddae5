from . import selectors


def lab_panel(user) -> dict:
    return selectors.lab_queue_counts(user)


def case_panel(user) -> dict:
    return {
        "requests": selectors.sampling_queue(user).count(),
        "reunions": selectors.reunions(user).filter(status="confirmed")[:5],
        "samples": selectors.case_samples(user).count(),
    }
