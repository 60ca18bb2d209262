#pragma once

#include <QStringList>
#include <QTextStream>

namespace rae::cli {

// `rae-deploy-cli report (--cluster NAME | --plan PLAN) [--plan PLAN] [--period 24h]
// [--paper a4|letter] [--format pdf,html,csv,json] [--data DIR] --out DIR`. Exit status: 0 when
// the files are written, 1 when the plan, the cluster or a file fails, 2 for a usage error.
// Needs a QGuiApplication (fonts for the PDF).
int runReportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace rae::cli
