"""Django's own texts whose Simplified Chinese translation reads badly on our pages. Naming them here puts
them in the platform's catalogue (makemessages finds them), and LOCALE_PATHS come before Django's catalogues,
so the platform's translation is the one shown. Nothing imports this module; the msgids must stay exactly
Django's."""

from django.utils.translation import gettext_lazy, ngettext_lazy

OVERRIDDEN = [
    # django.core.validators.MaxLengthValidator / MinLengthValidator: "确保该变量包含不超过 5000 字符"
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    # django.contrib.auth AbstractUser.is_active: "指明用户是否被认为是活跃的。以反选代替删除帐号。"
    gettext_lazy(
        "Designates whether this user should be treated as active. Unselect this instead of deleting accounts."
    ),
    gettext_lazy("Designates whether the user can log into this admin site."),
    # django.forms ChoiceField: "选择一个有效的选项。 %(value)s 不在可用的选项中。"
    gettext_lazy("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_lazy("Select a valid choice. That choice is not one of the available choices."),
]
