<#
.SYNOPSIS
    Writes the module's parameter surface as users see it: per cmdlet its syntax and, per parameter and
    set, type, position, mandatory, pipeline binding, aliases, validation and completion attributes.
    Compared against ParameterSurface.snapshot.txt by DbBackup.ParameterSurface.Tests.ps1, so moving
    declarations (shared base classes, attributes) cannot silently change a cmdlet's surface.
#>
function Get-DbBackupParameterSurface {
    $common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name +
              [System.Management.Automation.Internal.ShouldProcessParameters].GetProperties().Name +
              [System.Management.Automation.PagingParameters].GetProperties().Name
    foreach ($cmd in Get-Command -Module DbBackup -CommandType Cmdlet | Sort-Object Name) {
        "## $($cmd.Name)"
        (Get-Command $cmd.Name -Syntax).Trim() -split "`r?`n" | Where-Object { $_ } | ForEach-Object { "syntax: $_" }
        "default set: $($cmd.DefaultParameterSet)"
        foreach ($p in $cmd.Parameters.Values | Where-Object Name -NotIn $common | Sort-Object Name) {
            # NullableAttribute is the C# compiler's, not PowerShell's; a completer is named by its completer type
            # (the attribute class that names it may move).
            $attrs = $p.Attributes | Where-Object { $_ -isnot [System.Management.Automation.ParameterAttribute] -and $_.GetType().Name -ne 'NullableAttribute' } | ForEach-Object {
                $a = $_.GetType().Name
                switch ($_) {
                    { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } { $a = "ArgumentCompleter($($_.Type.Name))" }
                    { $_ -is [System.Management.Automation.ValidateRangeAttribute] } { $a += "($($_.MinRange),$($_.MaxRange))" }
                    { $_ -is [System.Management.Automation.ValidateSetAttribute] } { $a += "($($_.ValidValues -join ','))" }
                    { $_ -is [System.Management.Automation.AliasAttribute] } { $a += "($($_.AliasNames -join ','))" }
                }
                $a
            } | Sort-Object
            "param $($p.Name) [$($p.ParameterType.FullName)] aliases=$($p.Aliases -join ',') attrs=$($attrs -join ' ')"
            foreach ($set in $p.ParameterSets.Keys | Sort-Object) {
                $s = $p.ParameterSets[$set]
                "  set ${set}: position=$($s.Position) mandatory=$($s.IsMandatory) pipeline=$($s.ValueFromPipeline) byPropertyName=$($s.ValueFromPipelineByPropertyName) remaining=$($s.ValueFromRemainingArguments)"
            }
        }
    }
}
