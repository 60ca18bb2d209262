// Feeds arbitrary bytes to the plan reader. Whatever it is given, it must return a plan or
// located problems without crashing; and a plan it accepts must survive writing and reading
// back unchanged.
#include "plan/planreader.h"
#include "plan/planwriter.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto plan = rae::plan::readPlan(yaml, QStringLiteral("fuzz.yaml"));
    if (!plan) {
        for (const auto &problem : plan.error().problems) {
            if (problem.message.isEmpty())
                std::abort();
        }
        return 0;
    }

    const auto reread =
        rae::plan::readPlan(rae::plan::writePlan(*plan), QStringLiteral("again.yaml"));
    if (!reread || !(*reread == *plan))
        std::abort();
    return 0;
}
