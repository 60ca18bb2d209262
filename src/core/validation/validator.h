#pragma once

#include "validation/finding.h"

#include <QList>
#include <QString>

#include <functional>

namespace rae::validation {

// One rule: a stable id, what it is for, and the check. A check reads the plan and appends
// findings; it never changes anything and never talks to a cluster.
struct Rule
{
    QString id;
    QString summary; // translated, for `rae-deploy-cli validate --rules` and the docs
    std::function<void(const plan::Plan &, QList<Finding> &)> check;
};

// Every rule, in the order their findings are reported.
const QList<Rule> &rules();

// All findings of all rules, most severe first, then in rule order.
QList<Finding> validate(const plan::Plan &plan);

} // namespace rae::validation
