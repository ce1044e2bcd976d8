# Shared by the benchmark's driver and children: an async task as one line of text (every field, events included),
# so two tasks are the same when their texts are. Context (the connection the task was read with) is not task data.
function ConvertTo-FcBenchTaskText {
    param([Parameter(Mandatory, ValueFromPipeline)] $Task)
    process {
        $inv = [Globalization.CultureInfo]::InvariantCulture
        $fields = foreach ($p in $Task.PSObject.Properties | Where-Object Name -notin 'Events', 'Context' | Sort-Object Name) {
            $value = $p.Value
            if ($value -is [DateTimeOffset]) { $value = $value.ToString('o', $inv) }
            "$($p.Name)=$value"
        }
        $events = foreach ($e in $Task.Events) { "$($e.EventId),$($e.Status),$(if ($e.Time) { $e.Time.ToString('o', $inv) }),$($e.Detail)" }
        ($fields -join '|') + '|Events=' + ($events -join ';')
    }
}
