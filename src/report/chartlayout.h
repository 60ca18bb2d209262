#pragma once

#include "reportmodel.h"

#include <QColor>
#include <QList>
#include <QPolygonF>
#include <QRectF>
#include <QString>

// Where a chart's lines, ticks and labels go inside a given rectangle, worked out once so that
// the PDF (QPainter paths) and the HTML (SVG text) draw the same picture.
namespace rae::report {

struct ChartLine
{
    QString label; // the series' subject
    QColor color;
    QList<QPolygonF> segments; // in the rectangle's coordinates; a gap in the data splits a line
};

struct ChartTick
{
    double position = 0; // x for time ticks, y for value ticks
    QString label;
};

struct ChartLayout
{
    QRectF plot; // the plotting area, inside the rectangle given, leaving room for the labels
    QList<ChartLine> lines;
    QList<ChartTick> timeTicks;
    QList<ChartTick> valueTicks;
};

// `labelWidth` and `labelHeight` are the room the tick labels take, in the same units.
ChartLayout layoutChart(const ReportModel &model, const Chart &chart, const QRectF &area,
                        double labelWidth, double labelHeight);

QColor seriesColor(int index);
QColor roleColor(const QString &role); // fill of a VM tile in the topology picture

} // namespace rae::report
