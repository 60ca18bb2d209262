<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>rae::cli::Deploy</name>
    <message numerus="yes">
        <source>%n problem(s) stand in the way of applying this plan</source>
        <translation>
            <numerusform>%n problem stand in the way of applying this plan</numerusform><numerusform>%n problems stand in the way of applying this plan</numerusform></translation>
    </message>
</context>
<context>
    <name>rae::cli::MonitorCommand</name>
    <message numerus="yes">
        <source>%n series collected</source>
        <translation>
            <numerusform>%n series collected</numerusform><numerusform>%n series collected</numerusform></translation>
    </message>
</context>
<context>
    <name>rae::cli::Validate</name>
    <message numerus="yes">
        <source>%1: %n error(s), </source>
        <translation>
            <numerusform>%1: %n error, </numerusform><numerusform>%1: %n errors, </numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n warning(s), </source>
        <translation>
            <numerusform>%n warning, </numerusform><numerusform>%n warnings, </numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n note(s)</source>
        <translation>
            <numerusform>%n note</numerusform><numerusform>%n notes</numerusform></translation>
    </message>
</context>
<context>
    <name>rae::gui::MainWindow</name>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>%n error</numerusform><numerusform>%n errors</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n warning(s)</source>
        <translation>
            <numerusform>%n warning</numerusform><numerusform>%n warnings</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%1 has %n comment line(s) that saving cannot keep.</source>
        <translation>
            <numerusform>%1 has %n comment line that saving cannot keep.</numerusform><numerusform>%1 has %n comment lines that saving cannot keep.</numerusform></translation>
    </message>
</context>
<context>
    <name>rae::gui::PlanCommands</name>
    <message numerus="yes">
        <source>Move %n VMs</source>
        <translation>
            <numerusform>Move %n VMs</numerusform><numerusform>Move %n VMs</numerusform></translation>
    </message>
</context>
<context>
    <name>rae::gui::PlanDocument</name>
    <message numerus="yes">
        <source>The plan has %n problem(s).</source>
        <translation>
            <numerusform>The plan has %n problem.</numerusform><numerusform>The plan has %n problems.</numerusform></translation>
    </message>
</context>
<context>
    <name>rae::ha::Placement</name>
    <message numerus="yes">
        <source>%n VM(s) move.</source>
        <translation>
            <numerusform>%n VM move.</numerusform><numerusform>%n VMs move.</numerusform></translation>
    </message>
</context>
<context>
    <name>rae::plan::PlanWriter</name>
    <message numerus="yes">
        <source>saving would remove %n comment(s) written in the file (line %1)</source>
        <translation>
            <numerusform>saving would remove %n comment written in the file (line %1)</numerusform><numerusform>saving would remove %n comments written in the file (line %1)</numerusform></translation>
    </message>
</context>
<context>
    <name>rae::validation::Rules</name>
    <message numerus="yes">
        <source>the plan has %n node(s); a cluster of fewer than three loses quorum when one fails, and HA cannot recover anything</source>
        <translation>
            <numerusform>the plan has %n node; a cluster of fewer than three loses quorum when one fails, and HA cannot recover anything</numerusform><numerusform>the plan has %n nodes; a cluster of fewer than three loses quorum when one fails, and HA cannot recover anything</numerusform></translation>
    </message>
</context>
</TS>