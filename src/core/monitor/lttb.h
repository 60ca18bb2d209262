#pragma once

#include <QList>
#include <QPointF>

namespace rae::monitor {

// Largest-triangle-three-buckets: keeps `threshold` of `points` (sorted by x) so that a line
// drawn through them looks like the line through all of them. The first and last points are
// always kept. With fewer points than `threshold`, or a threshold below 3, the input comes back.
// NaN values (gaps) are never chosen as representatives unless a bucket holds nothing else.
QList<QPointF> lttb(const QList<QPointF> &points, qsizetype threshold);

} // namespace rae::monitor
