#include "monitor/lttb.h"

namespace rae::monitor {

QList<QPointF> lttb(const QList<QPointF> &points, qsizetype threshold)
{
    return lttbWith(points.size(), threshold, [&points](qsizetype i) { return points.at(i); });
}

} // namespace rae::monitor
