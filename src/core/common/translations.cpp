#include "common/translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

namespace rae {

void installTranslations(const QLocale &locale)
{
    auto *app = QCoreApplication::instance();
    if (!app)
        return;

    // Translators are looked up newest first, so the fallback goes in before the locale's own.
    auto *english = new QTranslator(app);
    if (english->load(QStringLiteral(":/i18n/rae-deploy_en.qm")))
        QCoreApplication::installTranslator(english);
    else
        delete english;

    auto *qt = new QTranslator(app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
    } else {
        delete qt;
    }

    auto *own = new QTranslator(app);
    if (own->load(locale, QStringLiteral("rae-deploy"), QStringLiteral("_"),
                  QStringLiteral(":/i18n")) &&
        own->language() != QLatin1String("en")) {
        QCoreApplication::installTranslator(own);
    } else {
        delete own;
    }
}

} // namespace rae
