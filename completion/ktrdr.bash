# bash completion for ktrdr(1): commands, options and option values.
#
# Installed as share/bash-completion/completions/ktrdr, where the
# bash-completion package loads it on first use; or source this file from
# ~/.bashrc. It needs nothing from bash-completion, and never calls ktrdr or
# the network. Keep the tables in step with `ktrdr CMD --help`
# (tests/e2e/test_completion.c compares them).

_ktrdr_global_opts='--url --quiet -q --verbose -v --no-progress --detach --json
  --timeout --poll-interval --help -h --version'

# Whether option $1 takes a value (as the next word or after '=').
_ktrdr_takes_value()
{
  case $1 in
    --url | --timeout | --poll-interval | --duration | --iterations | --status | --type | \
      --limit | --offset | --reason | --start-date | --end-date | --validation-split | \
      --models-dir | --data-mode | --timeframe | --mode | --start | --end)
      return 0 ;;
  esac
  return 1
}

# The options of one command: "group name".
_ktrdr_cmd_opts()
{
  case $1 in
    'dummy start' | 'dummy dummy') echo '--duration --iterations' ;;
    'models train')
      echo '--start-date --end-date --validation-split --detailed-analytics --dry-run
            --models-dir --data-mode' ;;
    'data load')
      echo '--timeframe --mode --start --end --trading-hours --include-extended' ;;
    'operations list') echo '--status --type --active --limit --offset' ;;
    'operations cancel') echo '--reason --force' ;;
  esac
}

_ktrdr_subcommands()
{
  case $1 in
    dummy) echo 'start dummy' ;;
    models) echo 'train' ;;
    data) echo 'load' ;;
    operations) echo 'list status cancel follow' ;;
  esac
}

# COMPREPLY = the words of $1 that start with $2.
_ktrdr_reply()
{
  local IFS=$' \t\n'
  COMPREPLY=($(compgen -W "$1" -- "$2"))
}

# COMPREPLY = files ending in .yaml/.yml and directories, for STRATEGY.yaml.
_ktrdr_yaml_files()
{
  local f IFS=$'\n'
  COMPREPLY=()
  for f in $(compgen -f -- "$1"); do
    if [[ -d $f ]]; then
      COMPREPLY+=("$f/")
    elif [[ $f == *.yaml || $f == *.yml ]]; then
      COMPREPLY+=("$f")
    fi
  done
  compopt -o filenames -o nospace 2>/dev/null
}

# The values of option $1 for the word $2.
_ktrdr_values()
{
  case $1 in
    --url)
      _ktrdr_reply "${KTRDR_API_URL:-} http://localhost:8000/api/v1" "$2"
      compopt -o nospace 2>/dev/null ;;
    --status) _ktrdr_reply 'pending running completed failed cancelled' "$2" ;;
    --type)
      _ktrdr_reply 'data_load training backtesting indicator_compute fuzzy_analysis dummy' "$2" ;;
    --mode) _ktrdr_reply 'local tail backfill full' "$2" ;;
    --timeframe) _ktrdr_reply '1m 5m 15m 30m 1h 4h 1d' "$2" ;;
    --data-mode) _ktrdr_reply 'local' "$2" ;;
    --models-dir)
      local IFS=$'\n'
      COMPREPLY=($(compgen -d -- "$2"))
      compopt -o filenames 2>/dev/null ;;
    --start-date | --end-date | --start | --end)
      _ktrdr_reply "$(date +%Y-%m-%d 2>/dev/null)" "$2" ;;
    *) COMPREPLY=() ;;  # a number or free text
  esac
}

# The command line's words as ktrdr will see them. Bash splits words at
# the characters of COMP_WORDBREAKS, '=' and ':' among them, so
# "--url=http://h:8000" arrives as "--url" "=" "http" ":" "//h" ":" "8000":
# glue such pieces back. Sets _ktrdr_w (the words) and _ktrdr_c (the
# current word's index).
_ktrdr_words()
{
  local i w
  _ktrdr_w=() _ktrdr_c=0
  for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
    w=${COMP_WORDS[i]}
    if ((i > 0)) && [[ $w == [=:] || ${COMP_WORDS[i - 1]} == [=:] ]]; then
      _ktrdr_w[${#_ktrdr_w[@]} - 1]+=$w
    else
      _ktrdr_w+=("$w")
    fi
    if ((i == COMP_CWORD)); then _ktrdr_c=$((${#_ktrdr_w[@]} - 1)); fi
  done
}

# Bash replaces only the current piece (after the last '=' or ':' of the
# word): drop the text before it from the candidates.
_ktrdr_trim()
{
  local cur=$1 keep
  if [[ $cur == *[=:]* && $COMP_WORDBREAKS == *[=:]* ]]; then
    keep=${cur##*[=:]}
    COMPREPLY=("${COMPREPLY[@]#"${cur%"$keep"}"}")
  fi
}

_ktrdr()
{
  local _ktrdr_w _ktrdr_c cur prev opt='' group='' name='' w i nargs=0

  _ktrdr_words
  cur=${_ktrdr_w[_ktrdr_c]}
  prev=${_ktrdr_w[_ktrdr_c - 1]}
  if [[ $cur == --*=* ]]; then
    opt=${cur%%=*}
  elif _ktrdr_takes_value "$prev"; then
    opt=$prev
  fi

  # The command words: the first two words that are neither options nor
  # option values (as ktrdr itself finds them), then the arguments.
  for ((i = 1; i < _ktrdr_c; i++)); do
    w=${_ktrdr_w[i]}
    if [[ $w == -?* ]]; then
      if [[ $w != *=* ]] && _ktrdr_takes_value "$w"; then
        i=$((i + 1))
      fi
    elif [[ -z $group ]]; then
      group=$w
    elif [[ -z $name ]]; then
      name=$w
    else
      nargs=$((nargs + 1))
    fi
  done

  if [[ -n $opt && $cur == --*=* ]]; then
    _ktrdr_values "$opt" "${cur#*=}"
    COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
  elif [[ -n $opt ]]; then
    _ktrdr_values "$opt" "$cur"
  elif [[ $cur == -* ]]; then
    _ktrdr_reply "$_ktrdr_global_opts $(_ktrdr_cmd_opts "$group $name")" "$cur"
  elif [[ -z $group ]]; then
    _ktrdr_reply 'dummy models data operations' "$cur"
  elif [[ -z $name ]]; then
    _ktrdr_reply "$(_ktrdr_subcommands "$group")" "$cur"
  elif [[ "$group $name" == 'models train' ]]; then
    case $nargs in
      0) _ktrdr_yaml_files "$cur" ;;          # STRATEGY.yaml
      2) _ktrdr_values --timeframe "$cur" ;;  # [SYMBOL] [TIMEFRAME]
      *) COMPREPLY=() ;;
    esac
  else
    COMPREPLY=()  # SYMBOL, operation ID
  fi
  _ktrdr_trim "$cur"
  return 0
}

complete -F _ktrdr ktrdr
