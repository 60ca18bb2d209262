#pragma once

#include <QLocale>

namespace rae {

// Installs the application's translations for `locale` (and Qt's own), from the .qm files
// that rae_add_translations() embedded in the executable. English is the fallback, so that
// plural forms read right where no translation for the locale exists.
void installTranslations(const QLocale &locale = QLocale());

} // namespace rae
