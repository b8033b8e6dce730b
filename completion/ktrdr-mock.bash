# bash completion for ktrdr-mock(1): options, option values, `exec` and
# its command, `record` and its options, and scenario names for --select.
#
# Installed as share/bash-completion/completions/ktrdr-mock, where the
# bash-completion package loads it on first use; or source this file from
# ~/.bashrc. It needs nothing from bash-completion (but uses its command
# completion after `exec --` when it is there). Scenario names are read at
# completion time from the scenario files, never from a running server.
# Keep the options in step with `ktrdr-mock --help`
# (tests/e2e/test_completion.c compares them).

_ktrdr_mock_opts='--port -p --bind -b --time-scale -t --clock -c --scenarios -s
  --select -S --verbose -v --help -h --version -V'
_ktrdr_mock_record_opts='--upstream -u --out -o --port -p --bind -b --verbose -v
  --help -h --version -V'

# Where this file is (for the installed scenarios beside it).
_ktrdr_mock_here=${BASH_SOURCE[0]%/*}

_ktrdr_mock_takes_value()
{
  case $1 in
    --port | -p | --bind | -b | --time-scale | -t | --clock | -c | --scenarios | -s | \
      --select | -S | --upstream | -u | --out | -o) return 0 ;;
  esac
  return 1
}

# The words as ktrdr-mock will see them: bash splits at '=' and ':'
# (COMP_WORDBREAKS), so "--select=training=x" arrives as "--select" "="
# "training" "=" "x"; glue the pieces back. Sets _ktrdr_mock_w,
# _ktrdr_mock_c (the current word's index) and _ktrdr_mock_r (each word's
# index in COMP_WORDS).
_ktrdr_mock_words()
{
  local i w
  _ktrdr_mock_w=() _ktrdr_mock_c=0 _ktrdr_mock_r=()
  for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
    w=${COMP_WORDS[i]}
    if ((i > 0)) && [[ $w == [=:] || ${COMP_WORDS[i - 1]} == [=:] ]]; then
      _ktrdr_mock_w[${#_ktrdr_mock_w[@]} - 1]+=$w
    else
      _ktrdr_mock_r+=("$i")
      _ktrdr_mock_w+=("$w")
    fi
    if ((i == COMP_CWORD)); then _ktrdr_mock_c=$((${#_ktrdr_mock_w[@]} - 1)); fi
  done
}

# Bash replaces only the current piece (after the last '=' or ':').
_ktrdr_mock_trim()
{
  local cur=$1 keep
  if [[ $cur == *[=:]* && $COMP_WORDBREAKS == *[=:]* ]]; then
    keep=${cur##*[=:]}
    COMPREPLY=("${COMPREPLY[@]#"${cur%"$keep"}"}")
  fi
}

# The scenarios directory ktrdr-mock would load: $1 (the --scenarios
# value) if given, else $KTRDR_MOCK_SCENARIOS, else the first that exists
# of: the installed share/ktrdr-ops/scenarios beside the binary ($2, the
# command as typed), the source tree's scenarios/ beside a build directory,
# ./scenarios, the installed directory beside this file.
_ktrdr_mock_scenario_dir()
{
  local given=$1 bin=$2 d
  if [[ -n $given ]]; then
    echo "$given"
    return
  fi
  if [[ -n ${KTRDR_MOCK_SCENARIOS:-} ]]; then
    echo "$KTRDR_MOCK_SCENARIOS"
    return
  fi
  [[ $bin == */* ]] || bin=$(type -P "$bin" 2>/dev/null)
  for d in ${bin:+"${bin%/*}/../share/ktrdr-ops/scenarios"} \
    ${bin:+"${bin%/*}/../scenarios"} scenarios \
    "$_ktrdr_mock_here/../../ktrdr-ops/scenarios"; do
    if [[ -d $d ]]; then
      echo "$d"
      return
    fi
  done
}

# "TYPE NAME" of every scenario: the built-in defaults, then the files of
# directory $1 (name: the file's `name:`, else its stem).
_ktrdr_mock_scenarios()
{
  local f files=()
  printf '%s\n' 'dummy dummy_default' 'training training_default' \
    'data_load data_load_default'
  [[ -n $1 && -d $1 ]] || return 0
  while IFS= read -r f; do
    [[ -f $f ]] && files+=("$f")
  done < <(compgen -G "$1/*.yaml"; compgen -G "$1/*.yml")
  ((${#files[@]})) || return 0
  awk '
    function flush() { if (file != "") print type, name }
    function value(s) { sub(/^[^:]*:[ \t]*/, "", s); sub(/[ \t]+#.*$/, "", s);
                        gsub(/["\047\r]/, "", s); sub(/[ \t]+$/, "", s); return s }
    FNR == 1 { flush(); file = FILENAME; type = "?"; name = FILENAME;
               sub(/.*\//, "", name); sub(/\.ya?ml$/, "", name) }
    /^name:/ { name = value($0) }
    /^operation_type:/ { type = value($0) }
    END { flush() }' "${files[@]}" 2>/dev/null
}

# Values for --select: "TYPE=" first, then the scenarios of that type.
_ktrdr_mock_select()
{
  local cur=$1 dir=$2 type IFS=$'\n'
  if [[ $cur != *=* ]]; then
    COMPREPLY=($(compgen -W $'dummy=\ntraining=\ndata_load=' -- "$cur"))
    compopt -o nospace 2>/dev/null
    return
  fi
  type=${cur%%=*}
  COMPREPLY=($(_ktrdr_mock_scenarios "$dir" |
    awk -v t="$type" '$1 == t { print t "=" $2 }' | sort -u))
  COMPREPLY=($(compgen -W "${COMPREPLY[*]}" -- "$cur"))
}

# The values of option $1 for the word $2 ($3: the scenarios directory).
_ktrdr_mock_values()
{
  local IFS=$'\n'
  case $1 in
    --bind | -b) COMPREPLY=($(compgen -W $'127.0.0.1\n0.0.0.0' -- "$2")) ;;
    --time-scale | -t) COMPREPLY=($(compgen -W $'1\n10\n100' -- "$2")) ;;
    --clock | -c) COMPREPLY=($(compgen -W $'scaled\nmanual' -- "$2")) ;;
    --scenarios | -s | --out | -o)
      COMPREPLY=($(compgen -d -- "$2"))
      compopt -o filenames 2>/dev/null ;;
    --upstream | -u)
      COMPREPLY=($(compgen -W 'http://localhost:8000/api/v1' -- "$2"))
      compopt -o nospace 2>/dev/null ;;
    --select | -S) _ktrdr_mock_select "$2" "$3" ;;
    *) COMPREPLY=() ;;  # --port: a number
  esac
}

_ktrdr_mock()
{
  local _ktrdr_mock_w _ktrdr_mock_c _ktrdr_mock_r cur prev opt='' w i
  local exec_at=0 record_at=0 cmd_at=0 stray=0 scen='' IFS=$' \t\n'

  _ktrdr_mock_words
  cur=${_ktrdr_mock_w[_ktrdr_mock_c]}
  prev=${_ktrdr_mock_w[_ktrdr_mock_c - 1]}

  # Options, `exec` or `record`, options again, then for exec (after `--`
  # or at the first other word) the command and its arguments.
  for ((i = 1; i < _ktrdr_mock_c; i++)); do
    w=${_ktrdr_mock_w[i]}
    case $w in
      --scenarios=* | -s?*) scen=${w#--scenarios=} scen=${scen#-s} ;;
      --scenarios | -s) scen=${_ktrdr_mock_w[i + 1]} ;;
    esac
    if ((exec_at)) && [[ $w == -- ]]; then
      cmd_at=$((i + 1))
      break
    elif [[ $w == -?* ]]; then
      if [[ $w != *=* ]] && _ktrdr_mock_takes_value "$w"; then i=$((i + 1)); fi
    elif ((!exec_at && !record_at)) && [[ $w == exec ]]; then
      exec_at=$i
    elif ((!exec_at && !record_at)) && [[ $w == record ]]; then
      record_at=$i
    elif ((exec_at)); then
      cmd_at=$i
      break
    else
      stray=1  # not an option and not `exec`: nothing sensible follows
    fi
  done
  if ((exec_at && !cmd_at)) && [[ $cur != -* ]] && ! _ktrdr_mock_takes_value "$prev"; then
    cmd_at=$_ktrdr_mock_c  # the command's own word
  fi

  if ((cmd_at)); then
    if declare -F _command_offset >/dev/null; then
      _command_offset "${_ktrdr_mock_r[cmd_at]}"  # bash-completion: the command's own
    elif ((cmd_at == _ktrdr_mock_c)); then
      COMPREPLY=($(compgen -c -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
      compopt -o filenames 2>/dev/null
    fi
    return 0
  fi
  if [[ $cur == --*=* ]]; then
    opt=${cur%%=*}
    _ktrdr_mock_values "$opt" "${cur#*=}" "$(_ktrdr_mock_scenario_dir "$scen" "${COMP_WORDS[0]}")"
    COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
  elif _ktrdr_mock_takes_value "$prev"; then
    _ktrdr_mock_values "$prev" "$cur" "$(_ktrdr_mock_scenario_dir "$scen" "${COMP_WORDS[0]}")"
  elif [[ $cur == -* ]] && ((record_at)); then
    COMPREPLY=($(compgen -W "$_ktrdr_mock_record_opts" -- "$cur"))
  elif [[ $cur == -* ]] && ((exec_at)); then
    COMPREPLY=($(compgen -W "$_ktrdr_mock_opts" -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$_ktrdr_mock_opts --upstream -u --out -o" -- "$cur"))
  elif ((!exec_at && !record_at && !stray)); then
    COMPREPLY=($(compgen -W 'exec record' -- "$cur"))
  fi
  _ktrdr_mock_trim "$cur"
  return 0
}

complete -F _ktrdr_mock ktrdr-mock
